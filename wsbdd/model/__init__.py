"""The pure model: messages, inbox, variables, addresses, errors, transcript."""
