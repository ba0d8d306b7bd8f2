"""Small value types shared by the apps, below all of them; it imports no app."""
