TAG = "local-package:"
