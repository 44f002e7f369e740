/* The no-tiles mode of the portal's maps (maps.py hands them the base map type "none"):
 * the data layers draw on a blank map and no tile server is asked. Loaded after the map
 * widgets of ckanext-spatial and ckanext-geoview, before CKAN starts its modules. */
(function () {
  var leafletMap = window.ckan && ckan.commonLeafletMap;
  if (leafletMap) {
    ckan.commonLeafletMap = function (container, mapConfig, mapOptions) {
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
})();
