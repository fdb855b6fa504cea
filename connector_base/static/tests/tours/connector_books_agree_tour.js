/** @odoo-module */

import { registry } from "@web/core/registry";

// The accountant opens a connection, reads what the provider can do, and runs Check now: the
// check starts as a job, with its progress bar.
registry.category("web_tour.tours").add("connector_books_agree_start_tour", {
    steps: () => [
        {
            content: "Open what the provider can do",
            trigger: ".o_notebook a[name='capabilities']",
            run: "click",
        },
        {
            content: "The matrix: QuickBooks reads taxes but creates none",
            trigger: "table.o_connector_capabilities tr[data-key='tax'] td[data-action='create']:contains('—')",
        },
        {
            content: "Customers: created and pushed by webhooks",
            trigger: "table.o_connector_capabilities tr[data-key='party/customer'] td[data-action='push']:contains('✓')",
        },
        {
            content: "Check now",
            trigger: "button[name='action_check_books']",
            run: "click",
        },
        {
            content: "The check is running, with its progress bar",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Running')",
        },
        {
            content: "The progress bar",
            trigger: ".o_field_widget[name='progress'] .o_progressbar",
        },
    ],
});

// Once the job has run: the accountant opens the connection's checks and reads the result.
registry.category("web_tour.tours").add("connector_books_agree_result_tour", {
    steps: () => [
        {
            content: "The connection says the books agree",
            trigger: "button[name='action_open_reconciliations']:contains('Books agree')",
            run: "click",
        },
        {
            content: "Open the last check",
            trigger: ".o_list_view .o_data_row:first .o_data_cell[name='state']:contains('Books agree')",
            run: "click",
        },
        {
            content: "The result, in words",
            trigger: "div[name='result']:contains('agree on every figure checked')",
        },
        {
            content: "Its figures: counts, partners and accounts, agreeing",
            trigger: ".o_field_widget[name='line_ids'] .o_data_row .o_data_cell[name='line_type']:contains('Account balance')",
        },
    ],
});

// The admin's dashboard: each connection's health and its last books-agree result.
registry.category("web_tour.tours").add("connector_dashboard_tour", {
    steps: () => [
        {
            content: "The connection's card shows the books agree",
            trigger: ".o_kanban_record:contains('QuickBooks sandbox') div[name='books_agree']:contains('Books agree')",
        },
        {
            content: "and its errors of the last 24 hours",
            trigger: ".o_kanban_record:contains('QuickBooks sandbox') .o_connector_dashboard_card:contains('Errors in the last 24 h')",
        },
        {
            content: "The sync activity, as a graph",
            trigger: ".o_menu_sections button:contains('Connectors'), .o_menu_sections a:contains('Connectors')",
            run: "click",
        },
        {
            content: "Sync activity",
            trigger: ".dropdown-menu a:contains('Sync activity'), .o-dropdown--menu a:contains('Sync activity')",
            run: "click",
        },
        {
            content: "Records per hour by outcome",
            trigger: ".o_graph_view .o_graph_renderer canvas",
        },
    ],
});
