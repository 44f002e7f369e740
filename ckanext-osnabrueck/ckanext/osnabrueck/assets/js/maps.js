/* The no-tiles mode of the portal's maps (maps.py hands them the base map type "none"):
 * the data layers draw on a blank map and no tile server is asked. Loaded after the map
 * widgets of ckanext-spatial and ckanext-geoview, before CKAN starts its modules. */
(function () {
  /* Leaflet's and leaflet.draw's own texts (ckanext-spatial's map search) in the UI
   * language; set when a map is made, once CKAN has loaded the translations. */
  function translateLeaflet() {
    var _ = function (text) { return ckan.i18n._(text); };
    L.Control.Zoom.prototype.options.zoomInTitle = _('Zoom in');
    L.Control.Zoom.prototype.options.zoomOutTitle = _('Zoom out');
    if (L.drawLocal) {
      L.drawLocal.draw.toolbar.buttons.rectangle = _('Draw an extent');
      L.drawLocal.draw.toolbar.actions.title = _('Cancel drawing');
      L.drawLocal.draw.toolbar.actions.text = _('Cancel');
      L.drawLocal.draw.handlers.rectangle.tooltip.start = _('Click and drag to draw the extent.');
      L.drawLocal.draw.handlers.simpleshape.tooltip.end = _('Release the mouse to finish drawing.');
    }
  }

  /* FROST-Server's GeoJSON result format leaves out the features' "type": "Feature"
   * (RFC 7946 requires it), and Leaflet then draws nothing: such a feature is read as
   * the Feature it is. */
  if (window.L && L.GeoJSON) {
    var addData = L.GeoJSON.prototype.addData;
    L.GeoJSON.prototype.addData = function (geojson) {
      if (geojson && !geojson.type && geojson.geometry !== undefined) {
        geojson = L.extend({type: 'Feature'}, geojson);
      }
      return addData.call(this, geojson);
    };
  }

  var leafletMap = window.ckan && ckan.commonLeafletMap;
  if (leafletMap) {
    ckan.commonLeafletMap = function (container, mapConfig, mapOptions) {
      translateLeaflet();
      if (mapConfig && mapConfig.type === 'none') {
        return new L.Map(container, mapOptions || {});
      }
      return leafletMap.apply(this, arguments);
    };
  }

  var olpreview = window.ckan && ckan.module.registry && ckan.module.registry.olpreview;
  if (olpreview) {
    var commonBaseLayer = olpreview.prototype._commonBaseLayer;
    olpreview.prototype._commonBaseLayer = function (mapConfig, callback) {
      if (mapConfig.type !== 'none') {
        return commonBaseLayer.apply(this, arguments);
      }
      // The viewer takes its projection and extent from a base layer: one that loads nothing.
      var blank = new ol.layer.Tile({
        title: this._('No base map'), type: 'base',
        source: new ol.source.XYZ({tileUrlFunction: function () { return undefined; }})
      });
      callback([blank]);
    };
  }

  /* ckanext-spatial's map search dialog asks CKAN's translations for these texts, which
   * it does not ship: named here so that they reach the portal's catalogue. */
  function spatialQueryTexts(_) {
    return [_('Please draw query extent in the map:'), _('Apply'), _('Draw an extent')];
  }
})();
