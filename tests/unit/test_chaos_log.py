"""The chaos run's reading of the Odoo server log: an ERROR it cannot account for is reported
with the end of its traceback, so that a failed run says where the error came from."""

from types import SimpleNamespace

from tools.chaos_compare import ChaosCompare

LOG = """\
2026-11-29 10:30:08,100 20713 INFO db werkzeug: GET /queue_job/runjob 200
2026-11-29 10:30:08,200 20713 ERROR db odoo.sql_db: bad query: b'INSERT INTO "connector_binding" ...'
ERROR: duplicate key value violates unique constraint "connector_binding_external_uniq"
DETAIL:  Key (backend_id, external_type, external_id)=(1, invoice, Invoice/7) already exists.
2026-11-29 10:30:08,300 20713 ERROR db odoo.sql_db: bad query: b' UPDATE "account_move" SET "state" = ...'
ERROR: deadlock detected
DETAIL:  Process 7845 waits for ShareLock on transaction 99041; blocked by process 7787.
Process 7787 waits for ShareLock on transaction 99073; blocked by process 7845.
2026-11-29 10:30:08,400 20713 ERROR db odoo.sql_db: bad query: b' UPDATE "account_move" SET "state" = ...'
ERROR: new row for relation "account_move" violates check constraint "account_move_state_check"
2026-11-29 10:30:09,509 20713 ERROR db odoo.http: Exception during request handling.
Traceback (most recent call last):
  File "/odoo/http.py", line 2378, in __call__
    request._post_init()
  File "/odoo/sql_db.py", line 720, in borrow
    raise PoolError('The Connection Pool Is Full')
    ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
psycopg2.pool.PoolError: The Connection Pool Is Full
2026-11-29 10:30:10,000 20713 ERROR db odoo.addons.x: a plain error line
2026-11-29 10:30:11,000 20713 INFO db werkzeug: GET /web/login 200
"""


def errors_of(tmp_path, text):
    log = tmp_path / "odoo.log"
    log.write_text(text)
    return ChaosCompare.log_errors(SimpleNamespace(log=log))


def test_an_unaccounted_error_is_reported_with_its_last_frame_and_exception(tmp_path):
    errors, handled = errors_of(tmp_path, LOG)
    assert handled == 2, "the binding race and the deadlock PostgreSQL broke are retried, not errors"
    assert errors == [
        "2026-11-29 10:30:08,400 20713 ERROR db odoo.sql_db: bad query: "
        'b\' UPDATE "account_move" SET "state" = ...\''
        ' | ERROR: new row for relation "account_move" violates check constraint "account_move_state_check"',
        "2026-11-29 10:30:09,509 20713 ERROR db odoo.http: Exception during request handling."
        ' | File "/odoo/sql_db.py", line 720, in borrow'
        " | psycopg2.pool.PoolError: The Connection Pool Is Full",
        "2026-11-29 10:30:10,000 20713 ERROR db odoo.addons.x: a plain error line",
    ]


def test_an_error_on_the_log_last_line_is_reported_as_it_is(tmp_path):
    errors, _handled = errors_of(tmp_path, "2026-11-29 10:30:10,000 1 ERROR db x: the end\n")
    assert errors == ["2026-11-29 10:30:10,000 1 ERROR db x: the end"]


CHAINED = """\
2026-11-29 13:39:02,044 4104 ERROR db odoo.http: Exception during request handling.
Traceback (most recent call last):
  File "/odoo/addons/base/models/assetsbundle.py", line 300, in save_attachment
    attachment = self.env['ir.attachment'].create(values)
psycopg2.errors.SerializationFailure: could not serialize access due to concurrent update

The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "/odoo/http.py", line 2378, in __call__
    response = request._serve_db()
  File "<189>", line 676, in template_189
odoo.addons.base.models.ir_qweb.QWebException: Error while render the template
SerializationFailure: could not serialize access due to concurrent update
Template: web.frontend_layout
Node: <t t-call-assets="web.assets_frontend" t-js="false"/>
2026-11-29 13:39:03,000 4104 INFO db werkzeug: GET /web/health 200
"""


def test_a_chained_error_is_reported_with_the_whole_exception_and_its_cause(tmp_path):
    errors, _handled = errors_of(tmp_path, CHAINED)
    assert errors == [
        "2026-11-29 13:39:02,044 4104 ERROR db odoo.http: Exception during request handling."
        ' | File "<189>", line 676, in template_189'
        " | odoo.addons.base.models.ir_qweb.QWebException: Error while render the template"
        " / SerializationFailure: could not serialize access due to concurrent update"
        ' / Template: web.frontend_layout / Node: <t t-call-assets="web.assets_frontend" t-js="false"/>'
        ' | cause: File "/odoo/addons/base/models/assetsbundle.py", line 300, in save_attachment'
        " | psycopg2.errors.SerializationFailure: could not serialize access due to concurrent update"
    ]
