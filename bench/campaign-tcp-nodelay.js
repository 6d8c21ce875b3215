// Preloaded (`node -r`) into the worker process the campaign benchmarks start: turns Nagle's algorithm off on
// every client socket. nodemailer leaves it on, which holds each pooled SMTP connection to about 20 messages a
// second (the end of every message waits for a delayed ACK), and would hide everything else the worker does.
const net = require('net');
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  this.setNoDelay(true);
  return connect.apply(this, args);
};
