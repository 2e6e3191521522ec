"use strict";
// The admin's autocomplete pickers (select2) replace a labelled <select> with elements
// that have no accessible name: name each combobox, and the search box a multiple choice
// types into, after the field's <label>, as the select was. Django builds the pickers
// with $.fn.djangoAdminSelect2 (autocomplete.js, loaded before this deferred script),
// when the page is ready and for rows a formset adds: wrapping it names them as built.
{
    const $ = window.django && window.django.jQuery;
    const build = $ && $.fn.djangoAdminSelect2;
    if (build) {
        $.fn.djangoAdminSelect2 = function (...args) {
            const built = build.apply(this, args);
            for (const select of this) {
                const label = document.querySelector(`label[for="${CSS.escape(select.id)}"]`);
                const box = select.parentElement.querySelector(".select2-selection");
                if (!label || !box) continue;
                label.id = label.id || `${select.id}-label`;
                const shown = box.querySelector(".select2-selection__rendered[id]");
                box.setAttribute("aria-labelledby", shown ? `${label.id} ${shown.id}` : label.id);
                if (shown) shown.setAttribute("aria-labelledby", label.id);
                const search = box.querySelector(".select2-search__field");
                if (search) search.setAttribute("aria-labelledby", label.id);
            }
            return built;
        };
    }
}
