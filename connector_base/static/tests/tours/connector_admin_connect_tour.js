/** @odoo-module */

import { registry } from "@web/core/registry";

// An admin opens Invoicing's settings, finds the Connectors block (QuickBooks installed, the
// other providers offered beside it, the company's connection counted), goes to the
// connection, presses Connect, comes back from Intuit's consent connected to the company by
// its name, and starts the first import.
registry.category("web_tour.tours").add("connector_admin_connect_tour", {
    steps: () => [
        {
            content: "QuickBooks Online is installed",
            trigger: "#connector_quickbooks input[type='checkbox']:checked",
        },
        {
            content: "Reckon One is offered like the other providers",
            trigger: "#connector_reckon:contains('Synchronise with a Reckon One book') input[type='checkbox']",
        },
        {
            content: "The company's connection is counted",
            trigger: "#connector_connections:contains('1 connection(s) in this company')",
        },
        {
            content: "Manage connections",
            trigger: "#connector_connections button:contains('Manage connections')",
            run: "click",
        },
        {
            content: "Open the QuickBooks connection",
            trigger: ".o_kanban_record:contains('QuickBooks sandbox')",
            run: "click",
        },
        {
            content: "The addresses to copy into the Intuit app are on the form",
            trigger: ".o_field_widget[name='redirect_uri']:contains('/connector_quickbooks/oauth/callback')",
        },
        {
            content: "Connect: Intuit's consent, then back to Odoo",
            trigger: "button[name='action_connect']",
            run: "click",
        },
        {
            content: "Connected",
            trigger: ".o_statusbar_status .o_arrow_button_current:contains('Connected')",
        },
        {
            content: "... to the QuickBooks company, by its name",
            trigger: ".o_field_widget[name='tenant_name']:contains('Sandbox Company')",
        },
        {
            content: "Start the first import",
            trigger: "button[name='action_import_all']",
            run: "click",
        },
        {
            content: "The import's progress shows",
            trigger: ".o_field_widget[name='import_progress'] .o_progressbar",
        },
    ],
});
