# Helper module imported by ../import.arr. As a case of its own it prints nothing.
scale = 3
fn triple(x) { x * scale }
greeting = "hi from helpers"
