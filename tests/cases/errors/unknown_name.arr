# An unknown name is reported with a did-you-mean suggestion.
# error: unknown name `totl`
# at: 6:7
# golden
total = 3
print(totl)
