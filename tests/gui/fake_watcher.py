"""A StatusNotifierWatcher that records which bus name and object path register a tray
item, so tests can find the app's tray menu the way a desktop panel does."""
import asyncio
import json
import sys

from dbus_fast import Variant
from dbus_fast.aio import MessageBus
from dbus_fast.service import ServiceInterface, dbus_property, method, signal
from dbus_fast.constants import PropertyAccess


class Watcher(ServiceInterface):
    def __init__(self):
        super().__init__("org.kde.StatusNotifierWatcher")
        self.items = []

    @method()
    def RegisterStatusNotifierItem(self, service: "s"):
        self.StatusNotifierItemRegistered(service)

    @method()
    def RegisterStatusNotifierHost(self, service: "s"):
        pass

    @dbus_property(access=PropertyAccess.READ)
    def RegisteredStatusNotifierItems(self) -> "as":
        return self.items

    @dbus_property(access=PropertyAccess.READ)
    def IsStatusNotifierHostRegistered(self) -> "b":
        return True

    @dbus_property(access=PropertyAccess.READ)
    def ProtocolVersion(self) -> "i":
        return 0

    @signal()
    def StatusNotifierItemRegistered(self, service) -> "s":
        return service


async def main():
    record_path = sys.argv[1]
    bus = await MessageBus().connect()
    watcher = Watcher()

    def record(message):
        # The registering app's bus name is only visible on the raw message.
        if message.member == "RegisterStatusNotifierItem" and message.body:
            watcher.items.append(message.body[0])
            with open(record_path, "a", encoding="utf-8") as out:
                out.write(json.dumps({"sender": message.sender, "path": message.body[0]}) + "\n")
        return None

    bus.add_message_handler(record)
    bus.export("/StatusNotifierWatcher", watcher)
    await bus.request_name("org.kde.StatusNotifierWatcher")
    print("ready", flush=True)
    await asyncio.Event().wait()


asyncio.run(main())
