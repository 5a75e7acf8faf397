# Start-up baseline: the interpreter starts, checks and prints one line.
print("ok", 1)
