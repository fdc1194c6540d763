"""The tray app's menu as a desktop shell sees it: the StatusNotifierItem the watcher saw
register, and its com.canonical.dbusmenu, read and clicked over D-Bus."""
import time

from dbus_fast import Message, MessageType, Variant


class TrayMenu:
    """The app's dbusmenu, reached through the item the watcher saw register."""

    def __init__(self, bus, sender, item_path):
        self.bus, self.sender, self.item_path = bus, sender, item_path
        self.menu_path = None

    async def call(self, path, interface, member, signature="", body=()):
        reply = await self.bus.call(Message(destination=self.sender, path=path, interface=interface,
                                            member=member, signature=signature, body=list(body)))
        if reply.message_type == MessageType.ERROR:
            raise AssertionError(f"{member} failed: {reply.error_name} {reply.body}")
        return reply.body

    async def items(self):
        if self.menu_path is None:
            (menu,) = await self.call(self.item_path, "org.freedesktop.DBus.Properties", "Get", "ss",
                                      ["org.kde.StatusNotifierItem", "Menu"])
            self.menu_path = menu.value
        _, layout = await self.call(self.menu_path, "com.canonical.dbusmenu", "GetLayout", "iias",
                                    [0, -1, []])
        found = []

        def walk(node):
            node_id, props, children = node
            if "label" in props:
                found.append({
                    "id": node_id,
                    "label": props["label"].value.replace("_", ""),
                    "checked": props.get("toggle-state", Variant("i", 0)).value == 1,
                })
            for child in children:
                walk(child.value)

        walk(layout)
        return found

    async def click(self, label):
        item = next((i for i in await self.items() if i["label"] == label), None)
        assert item, f"no menu item {label!r}"
        await self.call(self.menu_path, "com.canonical.dbusmenu", "Event", "isvu",
                        [item["id"], "clicked", Variant("s", ""), int(time.time())])

    async def checked(self):
        return [i["label"] for i in await self.items() if i["checked"]]
