"""A tensorflow that is installed but fails at import."""

raise ImportError("DLL load failed while importing _pywrap_tensorflow_internal (simulated broken install)")
