# An unknown pad mode is refused at the argument.
# error: unknown pad mode "mirror"
# at: 4:30
print(pad(arange(4), 2, mode="mirror"))
