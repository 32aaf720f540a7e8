// A Socket.IO 2 server (Engine.IO 3), for the tests that check wsbdd refuses it with one
// sentence. It listens on 127.0.0.1, port 0, prints the port, and answers `echo` with
// the same arguments (so a test can tell it works for a v2 client).
//
//   node server_v2.js [--until-stdin-closes]
"use strict";

const http = require("http");
const socketio = require("socket.io-v2");

const httpServer = http.createServer();
const io = socketio(httpServer);

io.on("connection", (socket) => {
  socket.on("echo", (...args) => {
    const ack = typeof args[args.length - 1] === "function" ? args.pop() : null;
    socket.emit("echo", ...args);
    if (ack) ack(...args);
  });
});

if (process.argv.includes("--until-stdin-closes")) {
  process.stdin.on("end", () => process.exit(0));
  process.stdin.on("error", () => process.exit(0));
  process.stdin.resume();
}
process.on("SIGTERM", () => process.exit(0));
httpServer.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${httpServer.address().port}\n`);
});
