/* CKAN's autocomplete fields (select2) leave their combobox unnamed for screen readers:
   give each the label of the field it replaces (WCAG 4.1.2). */
(function () {
  function name(container) {
    var field = container.previousElementSibling;
    var label = field && field.id && document.querySelector('label[for="' + field.id + '"]');
    if (!label) { return; }
    if (!label.id) { label.id = field.id + '-label'; }
    container.querySelectorAll('.select2-selection, .select2-search__field, .select2-choice, .select2-input')
      .forEach(function (el) { el.setAttribute('aria-labelledby', label.id); });
  }
  function scan(root) {
    (root.querySelectorAll ? root.querySelectorAll('.select2-container') : []).forEach(name);
  }
  new MutationObserver(function (changes) {
    changes.forEach(function (change) { change.addedNodes.forEach(function (node) {
      if (node.nodeType === 1) { if (node.classList.contains('select2-container')) { name(node); } scan(node); }
    }); });
  }).observe(document.documentElement, {childList: true, subtree: true});
  document.addEventListener('DOMContentLoaded', function () { scan(document); });
})();
