print("a script for the exec-python error cases")
