"""Email: the words of every email (templates) and the transports that send them."""
