/** @odoo-module */

import { registry } from "@web/core/registry";

// An accountant finds an invoice posted in Odoo that could not be sent because its Odoo tax
// has no counterpart in QuickBooks, chooses QuickBooks' tax of the same rate in the dialog
// that "Fix the mapping" opens, and sees the invoice sent.
registry.category("web_tour.tours").add("connector_quarantine_export_tour", {
    steps: () => [
        {
            content: "The quarantine groups what waits by reason",
            trigger: ".o_group_name:contains('Mapping missing')",
            run: "click",
        },
        {
            content: "The row is the Odoo invoice that could not be sent",
            trigger: ".o_data_row:contains('has no counterpart') .o_data_cell[name='display_label']",
            run: "click",
        },
        {
            content: "The reason in words: the Odoo tax, its rate and QuickBooks",
            trigger:
                ".o_field_widget[name='explanation']:contains('Odoo tax “Los Angeles 10%” (10%, Sales) has no counterpart in QuickBooks Online')",
        },
        {
            content: "The invoice's content, from Odoo",
            trigger: ".o_field_widget[name='payload_summary']:contains('Los Angeles 10%')",
        },
        {
            content: "Fix the mapping",
            trigger: "button[name='action_open_mapping']",
            run: "click",
        },
        {
            content: "QuickBooks' tax of the same rate is proposed",
            trigger: ".modal .o_field_widget[name='tax_mapping_id'] input",
            run() {
                if (!this.anchor.value.includes("Los Angeles")) {
                    throw new Error(`QuickBooks' Los Angeles tax was not proposed: ${this.anchor.value}`);
                }
            },
        },
        {
            content: "Apply and send again",
            trigger: ".modal button[name='action_apply']",
            run: "click",
        },
        {
            content: "Back on the quarantined invoice: resolved",
            trigger: ".o_statusbar_status .o_arrow_button_current:contains('Resolved')",
        },
        {
            content: "The chatter names the invoice and its reference in QuickBooks",
            trigger: ".o-mail-Message:contains('is in QuickBooks Online as Invoice/')",
        },
    ],
});
