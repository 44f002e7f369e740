"""OGC WMS 1.3.0 and WFS 2.0 capabilities → DCAT-AP.de datasets (``osnabrueck_ogc``)."""
