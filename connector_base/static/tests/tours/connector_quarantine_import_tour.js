/** @odoo-module */

import { registry } from "@web/core/registry";

// An accountant finds an invoice that QuickBooks sent with a tax Odoo does not know, reads
// why it waits in QuickBooks' own words, opens the missing tax mapping from the quarantined
// record, confirms Odoo's tax of the same rate, and sees the invoice imported.
registry.category("web_tour.tours").add("connector_quarantine_import_tour", {
    steps: () => [
        {
            content: "The quarantine groups what waits by reason",
            trigger: ".o_group_name:contains('Mapping missing')",
            run: "click",
        },
        {
            content: "The row is the invoice, with why it waits: QuickBooks' tax by its own name",
            trigger: ".o_data_row:contains('Los Angeles') .o_data_cell[name='display_label']",
            run: "click",
        },
        {
            content: "The reason in words, with QuickBooks' name, rate and use of the tax",
            trigger: ".o_field_widget[name='explanation']:contains('QuickBooks Online tax “Los Angeles” (10%, Sales)')",
        },
        {
            content: "The data reads as a document: its line and its total",
            trigger: ".o_field_widget[name='payload_summary']:contains('Total')",
        },
        {
            content: "Fix the mapping",
            trigger: "button[name='action_open_mapping']",
            run: "click",
        },
        {
            content: "The missing tax, as QuickBooks names it",
            trigger: ".o_field_widget[name='external_name']:contains('Los Angeles')",
        },
        {
            content: "... with its rate",
            trigger: ".o_field_widget[name='external_rate']:contains('10')",
        },
        {
            content: "Odoo's tax of the same rate is suggested (not a 15% one)",
            trigger: ".o_field_widget[name='suggested_tax_id']:contains('Los Angeles 10%')",
        },
        {
            content: "Confirm the suggestion",
            trigger: "button[name='action_confirm']",
            run: "click",
        },
        {
            content: "Back on the quarantined invoice: resolved",
            trigger: ".o_statusbar_status .o_arrow_button_current:contains('Resolved')",
        },
        {
            content: "The chatter says what it became, with a link",
            trigger: ".o-mail-Message:contains('Resolved: imported as')",
        },
    ],
});
