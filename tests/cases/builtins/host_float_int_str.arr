# float(x) and int(x) compute lazy 0-d arrays; int truncates toward zero; str formats as print.
# out: 3.0 2 -2 12 1.5
# out: 6 6.0
# out: 1.5|[1.0, 1.0]|true
print(float(3), int(2.7), int(-2.7), int("12"), float("1.5"))
s = sum(arange(4))
print(int(s), float(s))
print(str(1.5) + "|" + str(ones(2)) + "|" + str(true))
