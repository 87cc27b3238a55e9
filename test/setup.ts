// Shared jest setup. Tests never reach the network: the emulator runs in-process on port 0.
process.env.NO_COLOR = "1";
