"""Keys and prefixes shared by the Telegram modules, each documented once."""

from __future__ import annotations

# application.bot_data key holding the `Services` object (see services.py).
SERVICES = "services"

# chat_data key: the last question the user asked (so "none of these" and 👎 can record it as a
# knowledge gap without keeping any history).
LAST_QUESTION = "last_question"

# chat_data key: the script the last message in this chat was answered in (a button tapped
# afterwards is answered in the same script when the chat never chose one with /lang).
LAST_SCRIPT = "last_script"

# chat_data key (groups with the guard on): message id -> the text the guard scanned, for the
# details button under its warning (an image's text cannot be read back from the message).
GUARD_SCANS = "guard_scans"

# Callback data prefixes (all callback data stays under Telegram's 64-byte limit).
CB_ENTRY = "faq"          # faq:<entry id>            show an entry
CB_NONE = "none"          # none                      "none of these" under suggestions
CB_FEEDBACK = "fb"        # fb:<entry id>:<1|0>       useful / not useful
CB_REPORT = "rep"         # rep:<number>              report a checked number
CB_SUBSCRIBE = "sub"      # sub:<HH:MM> | sub:off     pick a tip time / stop
CB_MENU = "menu"          # menu:<topics|check|scan|sub>
CB_TOPIC = "topic"        # topic:<topic id>          list a topic's questions
CB_ADMIN = "adm"          # adm:bc:<id>:<go|no>, adm:rp:<id>:<ok|no>
CB_LANG = "lang"          # lang:<simplified|traditional-hk|traditional-tw>   the /lang choice
CB_GUARD = "grd"          # grd:<message id>          the full scan under a group-guard warning
CB_FORGET = "fgt"         # fgt:<yes|no>              /forget's confirmation

# Tip times offered as buttons (the user can also type /subscribe HH:MM).
TIP_TIMES = ("07:30", "08:30", "12:00", "18:00", "20:00", "21:30")

# Bulk sends (tips, broadcasts) pass this to the rate limiter so interactive replies keep
# priority: bulk traffic never takes the whole per-second budget.
BULK = {"bulk": True}
