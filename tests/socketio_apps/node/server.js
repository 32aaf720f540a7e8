// The Node socket.io 4 test server: the same behaviour as ../python_app.py, described in
// ../README.md. It listens on 127.0.0.1, port 0, and prints the port it got on stdout.
//
//   node server.js [--ping-interval MS] [--ping-timeout MS] [--polling-only] [--recovery]
//                  [--until-stdin-closes]
"use strict";

const http = require("http");
const { Server } = require("socket.io");

const USAGE =
  "usage: node server.js [--ping-interval MS] [--ping-timeout MS] [--polling-only] " +
  "[--recovery] [--until-stdin-closes]";

function parseOptions(argv) {
  const options = { pingInterval: 25000, pingTimeout: 20000, pollingOnly: false,
                    recovery: false, untilStdinCloses: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--ping-interval" || arg === "--ping-timeout") {
      const ms = Number(argv[++i]);
      if (!Number.isInteger(ms) || ms <= 0) {
        throw new Error(`${arg} wants a whole number of milliseconds; ${USAGE}`);
      }
      options[arg === "--ping-interval" ? "pingInterval" : "pingTimeout"] = ms;
    } else if (arg === "--polling-only") {
      options.pollingOnly = true;
    } else if (arg === "--recovery") {
      options.recovery = true;
    } else if (arg === "--until-stdin-closes") {
      options.untilStdinCloses = true;
    } else {
      throw new Error(`unknown option ${arg}; ${USAGE}`);
    }
  }
  return options;
}

// How many binary attachments a value holds, however deep (what the "binary" ack reports).
function attachments(value) {
  if (Buffer.isBuffer(value) || value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
    return 1;
  }
  if (Array.isArray(value)) {
    return value.reduce((sum, item) => sum + attachments(item), 0);
  }
  if (value !== null && typeof value === "object") {
    return Object.values(value).reduce((sum, item) => sum + attachments(item), 0);
  }
  return 0;
}

// The ack callback, when the client asked for one, is the last argument.
function split(args) {
  const last = args[args.length - 1];
  return typeof last === "function" ? [args.slice(0, -1), last] : [args, null];
}

function serve(namespace, nameOf) {
  namespace.on("connection", (socket) => {
    const name = nameOf(socket.handshake.auth || {});
    const first = (args) => (args[0] !== null && typeof args[0] === "object" ? args[0] : {});

    socket.on("join", (...raw) => {
      const [args, ack] = split(raw);
      const room = first(args).room;
      socket.join(room);
      if (ack) ack({ ok: true, room });
    });

    socket.on("chat", (...raw) => {
      const [args, ack] = split(raw);
      const { room, text } = first(args);
      socket.to(room).emit("chat", { room, text, from: name ?? socket.id });
      if (ack) ack({ ok: true });
    });

    socket.on("echo", (...raw) => {
      const [args, ack] = split(raw);
      socket.emit("echo", ...args);
      if (ack) ack(...args);
    });

    socket.on("binary", (...raw) => {
      const [args, ack] = split(raw);
      socket.emit("binary", { data: Buffer.from([0, 1, 2, 255]) }, ...args);
      if (ack) ack({ ok: true, attachments: attachments(args) });
    });

    socket.on("ask", (...raw) => {
      const [args, ack] = split(raw);
      socket.emit("question", { question: first(args).question }, (...answer) => {
        socket.emit("answered", ...answer);
      });
      if (ack) ack({ ok: true });
    });

    socket.on("kick", (...raw) => {
      const [, ack] = split(raw);
      if (ack) ack({ ok: true });
      // true: the whole connection goes, as python-socketio does when a client's last
      // namespace is disconnected; the client reads "io server disconnect".
      socket.disconnect(true);
    });

    socket.on("drop", () => {
      // The transport closes with no Socket.IO DISCONNECT first: the client reads
      // "transport close", so reconnection (and recovery, when on) applies.
      socket.conn.close();
    });

    socket.on("whoami", (...raw) => {
      const [, ack] = split(raw);
      if (ack) ack({ sid: socket.id, name: name ?? null, recovered: socket.recovered === true });
    });

    socket.on("count", (...raw) => {
      const [, ack] = split(raw);
      if (ack) ack({ clients: namespace.sockets.size });
    });

    socket.on("fanout", (...raw) => {
      const [args, ack] = split(raw);
      const count = Number(first(args).count) || 0;
      for (let n = 1; n <= count; n++) namespace.emit("tick", { n });
      if (ack) ack({ ok: true, sent: count });
    });
  });
}

function main() {
  let options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(error.message + "\n");
    process.exit(2);
  }
  const httpServer = http.createServer();
  const io = new Server(httpServer, {
    pingInterval: options.pingInterval,
    pingTimeout: options.pingTimeout,
    transports: options.pollingOnly ? ["polling"] : ["polling", "websocket"],
    ...(options.recovery
      ? { connectionStateRecovery: { maxDisconnectionDuration: 120000, skipMiddlewares: true } }
      : {}),
  });

  serve(io.of("/"), (auth) => (typeof auth.name === "string" ? auth.name : null));

  const admin = io.of("/admin");
  admin.use((socket, next) => {
    const auth = socket.handshake.auth || {};
    if (auth.username === "admin" && auth.password === "secret") next();
    else next(new Error("authentication failed"));
  });
  serve(admin, (auth) => auth.username);

  if (options.untilStdinCloses) {
    // The test that started this server is gone when its end of the pipe closes.
    process.stdin.on("end", () => process.exit(0));
    process.stdin.on("error", () => process.exit(0));
    process.stdin.resume();
  }
  process.on("SIGTERM", () => process.exit(0));
  httpServer.listen(0, "127.0.0.1", () => {
    process.stdout.write(`${httpServer.address().port}\n`);
  });
}

main();
