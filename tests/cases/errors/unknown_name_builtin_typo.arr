# A misspelt builtin (letters swapped) still gets a did-you-mean suggestion.
# error: unknown name `zerso`
# golden
x = zerso(3)
