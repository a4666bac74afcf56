// Initialises the replica set of deploy/compose.yaml once; running it again
// changes nothing. mongo-init runs it with mongosh after the three members
// answer, and the buurtstem instances start only when it has finished.
const config = {
  _id: "rs0",
  members: [
    { _id: 0, host: "mongo1:27017", priority: 2 },
    { _id: 1, host: "mongo2:27017", priority: 1 },
    { _id: 2, host: "mongo3:27017", priority: 1 },
  ],
};

try {
  rs.status();
  print("replica set rs0 already initialised");
} catch (e) {
  if (e.codeName !== "NotYetInitialized") {
    throw e;
  }
  rs.initiate(config);
  print("replica set rs0 initiated");
}

// Wait for a primary: buurtstem writes with write concern majority.
for (let i = 0; i < 120; i++) {
  const hello = db.adminCommand({ hello: 1 });
  if (hello.isWritablePrimary || hello.primary) {
    print("primary: " + hello.primary);
    quit(0);
  }
  sleep(500);
}
print("no primary after 60 s");
quit(1);
