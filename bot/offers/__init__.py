"""Offers: the model and its validation (`model`), the offer file format (`fileformat`), the store (`store`)."""
