# An unknown attribute, with a suggestion.
# error: f64[3] has no attribute or method `shap`
# at: 4:15
print(ones(3).shap)
