"""The handler's lifecycle against the stand-ins, over real HTTP."""
