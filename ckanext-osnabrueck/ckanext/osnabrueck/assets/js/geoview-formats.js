/* ckanext-geoview's OpenLayers viewer, made to work with the portal's services. */
(function () {
  /* The portal stores service formats as EU file-type codes (WMS_SRVC, WFS_SRVC); the
   * viewer knows them as "wms" and "wfs". Teach it the codes. */
  var extractors = window.ckan && ckan.geoview && ckan.geoview.layerExtractors;
  if (extractors) {
    extractors.wms_srvc = extractors.wms;
    extractors.wfs_srvc = extractors.wfs;
  }

  /* ol-helpers reads WFS features in EPSG:4326 (nearly every WFS offers it) with a GML2
   * parser patched through the names of an older OpenLayers: GEOMETRY_PARSERS_ and
   * ol.format.Feature.transformWithOptions. The bundled OpenLayers names them without the
   * underscore and transformGeometryWithOptions, so every WFS preview failed to parse
   * ("Cannot read properties of undefined (reading 'http://www.opengis.net/gml')"). */
  if (window.ol && ol.format && ol.format.GML2) {
    var gml2 = ol.format.GML2.prototype;
    if (!('GEOMETRY_PARSERS_' in gml2)) {
      Object.defineProperty(gml2, 'GEOMETRY_PARSERS_', {get: function () { return this.GEOMETRY_PARSERS; }});
    }
    var featureFormat = ol.format.Feature;
    if (featureFormat && !featureFormat.transformWithOptions) {
      featureFormat.transformWithOptions = featureFormat.transformGeometryWithOptions;
    }
  }
})();
