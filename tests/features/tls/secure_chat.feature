Feature: A wss:// server with a certificate from our own CA
  The test starts a TLS server whose certificate a CA of its own signed, and
  passes that CA with WSBDD_TLS_CA_FILE (or -D wsbdd.tls.ca_file=…).

  Scenario: Alice talks to the server over TLS
    Given Alice is connected
    Then Alice receives a message where $.type is "hello" and $.path is "/ws"
    When Alice sends the text "over TLS"
    Then Alice receives a message where $.type is "echo" and $.text is "over TLS"
