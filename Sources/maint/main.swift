print("maint")
