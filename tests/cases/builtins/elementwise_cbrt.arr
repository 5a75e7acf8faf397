# cbrt: exact on perfect cubes, negative inputs allowed.
# out: [-2.0, -1.0, 0.0, 1.0, 3.0]
# out: [0.62996052495, 1.25992104989]
print(cbrt(array([-8.0, -1.0, 0.0, 1.0, 27.0])))
print(round(cbrt(array([0.25, 2.0])), decimals=11))
