"""The bindings of QuickBooks customers and vendors take their role.

connector_base gave ``connector.binding`` a role ("all" for the rows it found). QuickBooks keeps
a company that sells and buys as a Customer and a Vendor: ``Customer/58`` is the customer's
record of its partner, ``Vendor/12`` the vendor's. Without their roles, a document would find
the customer's record where it needs the vendor's."""


def migrate(cr, version):
    if not version:
        return
    for prefix, role in (("Customer/%", "customer"), ("Vendor/%", "vendor")):
        cr.execute(
            """UPDATE connector_binding b SET role = %s
                 FROM connector_backend k
                WHERE k.id = b.backend_id AND k.provider = 'quickbooks'
                  AND b.external_type = 'party' AND b.role = 'all' AND b.external_id LIKE %s""",
            [role, prefix],
        )
