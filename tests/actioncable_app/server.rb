# An ActionCable server (Debian's ruby-actioncable on puma) for the second codec example.
#
# Rails' own ActionCable, without the rest of Rails: the async pub/sub adapter, a
# connection identified by ?token=alice-token (Alice) or bob-token (Bob), any other
# rejected ({"type": "disconnect", "reason": "unauthorized"}), and ChatChannel:
#   - subscribe with {"channel": "ChatChannel", "room": "lobby"} (no room: rejected);
#   - perform "speak" with {"text": ...}: broadcast {"from": <the name>, "text": ...}
#     to everyone in the room; "whoami": transmit {"you": <name>} to the caller only.
# Listens on 127.0.0.1 at /cable on a port of the system's choosing, prints the port,
# and exits when its standard input closes (the test that started it is gone).
#
#   ruby tests/actioncable_app/server.rb [--no-pings]
require "logger"
require "action_cable"
require "puma"
require "puma/server"

TOKENS = { "alice-token" => "Alice", "bob-token" => "Bob" }.freeze

module ApplicationCable
  class Connection < ActionCable::Connection::Base
    identified_by :name

    def connect
      self.name = TOKENS[request.params["token"]] || reject_unauthorized_connection
    end
  end

  class Channel < ActionCable::Channel::Base
  end
end

class ChatChannel < ApplicationCable::Channel
  def subscribed
    return reject if params["room"].to_s.empty?
    stream_from "chat_#{params['room']}"
  end

  def speak(data)
    ActionCable.server.broadcast("chat_#{params['room']}", { "from" => name, "text" => data["text"] })
  end

  def whoami(_data)
    transmit({ "you" => name })
  end
end

if ARGV.include?("--no-pings")
  # A server whose heart-beat stops: the codec must notice.
  ActionCable::Server::Connections.prepend(Module.new { def setup_heartbeat_timer; end })
end

ActionCable.server.config.cable = { "adapter" => "async" }
ActionCable.server.config.connection_class = -> { ApplicationCable::Connection }
ActionCable.server.config.disable_request_forgery_protection = true
ActionCable.server.config.logger = Logger.new($stderr, level: Logger::WARN)
ActionCable.server.config.worker_pool_size = 2

app = Rack::Builder.new do
  map("/cable") { run ActionCable.server }
end.to_app

server = Puma::Server.new(app, Puma::Events.strings, min_threads: 1, max_threads: 8)
listener = server.add_tcp_listener("127.0.0.1", 0)
Thread.new do
  $stdin.read
  exit!(0)
end
server.run
$stdout.puts(listener.addr[1])
$stdout.flush
sleep
