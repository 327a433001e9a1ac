print("tape")
