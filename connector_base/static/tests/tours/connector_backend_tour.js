/** @odoo-module */

import { registry } from "@web/core/registry";

// An accountant opens a connection during its first import: the progress bar and the
// health figures are there, and pausing and resuming work from the form's header.
registry.category("web_tour.tours").add("connector_backend_tour", {
    steps: () => [
        {
            content: "The import progress shows 40%",
            trigger: ".o_field_widget[name='import_progress'] .o_progressbar:contains('40')",
        },
        {
            content: "Health: quarantined records are counted",
            trigger: ".o_field_widget[name='quarantine_count']:contains('1')",
        },
        {
            content: "Pause the synchronisation",
            trigger: "button[name='action_pause']",
            run: "click",
        },
        {
            content: "Paused: Resume is offered",
            trigger: "button[name='action_resume']",
            run: "click",
        },
        {
            content: "Connected again: Pause is offered",
            trigger: "button[name='action_pause']",
        },
    ],
});
