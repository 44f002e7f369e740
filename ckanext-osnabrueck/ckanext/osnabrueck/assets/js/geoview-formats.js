/* The portal stores service formats as EU file-type codes (WMS_SRVC, WFS_SRVC); the map
 * viewer of ckanext-geoview knows them as "wms" and "wfs". Teach it the codes. */
(function () {
  var extractors = window.ckan && ckan.geoview && ckan.geoview.layerExtractors;
  if (extractors) {
    extractors.wms_srvc = extractors.wms;
    extractors.wfs_srvc = extractors.wfs;
  }
})();
