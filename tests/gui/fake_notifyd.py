"""A notification server (org.freedesktop.Notifications) that records each Notify call
as a JSON line, so tests can assert what the user was told."""
import asyncio
import json
import sys

from dbus_fast.aio import MessageBus
from dbus_fast.service import ServiceInterface, method, signal


class Notifications(ServiceInterface):
    def __init__(self, record_path):
        super().__init__("org.freedesktop.Notifications")
        self.record_path = record_path
        self.last_id = 0

    @method()
    def Notify(self, app_name: "s", replaces_id: "u", app_icon: "s", summary: "s",
               body: "s", actions: "as", hints: "a{sv}", expire_timeout: "i") -> "u":
        self.last_id += 1
        with open(self.record_path, "a", encoding="utf-8") as record:
            record.write(json.dumps({"app": app_name, "summary": summary, "body": body}) + "\n")
        return self.last_id

    @method()
    def GetCapabilities(self) -> "as":
        return ["body"]

    @method()
    def GetServerInformation(self) -> "ssss":
        return ["presently-test-notifyd", "presently", "1", "1.2"]

    @method()
    def CloseNotification(self, notification_id: "u"):
        self.NotificationClosed(notification_id, 3)

    @signal()
    def NotificationClosed(self, notification_id, reason) -> "uu":
        return [notification_id, reason]


async def main():
    bus = await MessageBus().connect()
    bus.export("/org/freedesktop/Notifications", Notifications(sys.argv[1]))
    await bus.request_name("org.freedesktop.Notifications")
    print("ready", flush=True)
    await asyncio.Event().wait()


asyncio.run(main())
