"""CSW 2.0.2 catalogues with ISO 19139 records → DCAT-AP.de datasets (``osnabrueck_csw``)."""
