# if bodies open no scope.
# out: 2
# out: yes
x = 1
if true { x = 2; y = "yes" }
print(x)
print(y)
