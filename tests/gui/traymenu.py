"""The tray app's menu as a desktop shell sees it: the StatusNotifierItem the watcher saw
register, and its com.canonical.dbusmenu, read and clicked over D-Bus."""
import os
import re
import subprocess
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
        # The app rebuilds its menu when what it shows changes; an id read just before a
        # rebuild is gone, so the item is looked up again, as a person reopens the menu.
        for attempt in range(3):
            item = next((i for i in await self.items() if i["label"] == label), None)
            assert item, f"no menu item {label!r}"
            try:
                await self.call(self.menu_path, "com.canonical.dbusmenu", "Event", "isvu",
                                [item["id"], "clicked", Variant("s", ""), int(time.time())])
                return
            except AssertionError as gone:
                if "does not refer to a menu item" not in str(gone) or attempt == 2:
                    raise

    async def checked(self):
        return [i["label"] for i in await self.items() if i["checked"]]

    async def icon_file(self):
        """The icon the panel shows: appindicator hands it over as a file (IconName, in
        IconThemePath when the name is not a path)."""
        props = "org.freedesktop.DBus.Properties"
        (name,) = await self.call(self.item_path, props, "Get", "ss", ["org.kde.StatusNotifierItem", "IconName"])
        (theme,) = await self.call(self.item_path, props, "Get", "ss",
                                   ["org.kde.StatusNotifierItem", "IconThemePath"])
        name, theme = name.value, theme.value
        if os.path.isabs(name):
            return name
        for candidate in (os.path.join(theme, name), os.path.join(theme, name + ".png")):
            if os.path.exists(candidate):
                return candidate
        raise AssertionError(f"no icon file for {name!r} in {theme!r}")


def badge_colour(png):
    """The colour at the centre of the badge dot (lower right), as (r, g, b)."""
    size = subprocess.run(["/usr/bin/identify", "-format", "%w %h", png], check=True,
                          capture_output=True, text=True).stdout.split()
    width, height = int(size[0]), int(size[1])
    radius = min(width, height) * 0.22
    x, y = int(width - radius - 1), int(height - radius - 1)
    pixel = subprocess.run(["/usr/bin/convert", png, "-crop", f"1x1+{x}+{y}", "-depth", "8", "txt:-"],
                           check=True, capture_output=True, text=True).stdout
    hexes = re.search(r"#([0-9A-Fa-f]{6})", pixel.splitlines()[-1]).group(1)
    return tuple(int(hexes[i:i + 2], 16) for i in (0, 2, 4))
