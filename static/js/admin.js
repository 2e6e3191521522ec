"use strict";
// The admin's autocomplete pickers (select2) replace a labelled <select> with elements
// that have no accessible name: name each combobox after its field's <label>, as the
// select was. Django builds the pickers with $.fn.djangoAdminSelect2 (autocomplete.js,
// loaded before this deferred script), when the page is ready and for rows a formset
// adds: wrapping it names them as they are built.
{
    const $ = window.django && window.django.jQuery;
    const build = $ && $.fn.djangoAdminSelect2;
    if (build) {
        $.fn.djangoAdminSelect2 = function (...args) {
            const built = build.apply(this, args);
            for (const select of this) {
                const label = document.querySelector(`label[for="${CSS.escape(select.id)}"]`);
                const box = select.parentElement.querySelector(".select2-selection");
                const shown = box && box.querySelector(".select2-selection__rendered");
                if (!label || !shown) continue;
                label.id = label.id || `${select.id}-label`;
                box.setAttribute("aria-labelledby", `${label.id} ${shown.id}`);
                shown.setAttribute("aria-labelledby", label.id);
            }
            return built;
        };
    }
}
