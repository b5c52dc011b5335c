print("clashes with the generated module")
