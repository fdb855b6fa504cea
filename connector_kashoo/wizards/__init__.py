from . import kashoo_sign_in
