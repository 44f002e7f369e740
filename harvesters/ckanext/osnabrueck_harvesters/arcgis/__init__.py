"""Esri ArcGIS Server REST services directory → DCAT-AP.de datasets (``osnabrueck_arcgis``)."""
