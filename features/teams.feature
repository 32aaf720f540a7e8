Feature: Teams in chat rooms
  The chat's words work for a whole group at once: every member acts at the
  same moment, and every member must see what the step says.

  Scenario: A team joins a room together and hears its captain
    Given clients Ann, Ben and Cid in group "team" are connected
    When every client in group "team" joins room "huddle"
    And Ann says "go team" in room "huddle"
    Then every client in group "team" hears Ann say "go team" in room "huddle"

  Scenario: The host sees a team go
    Given clients Ann and Ben in group "team" are connected
    And Host is in room "stage"
    When every client in group "team" joins room "stage"
    And every client in group "team" disconnects
    Then Host is told that Ann disconnected from room "stage"
    And Host is told that Ben disconnected from room "stage"
