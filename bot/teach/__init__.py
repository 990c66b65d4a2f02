"""The network teaches the bot from the questions it could not answer (issue 15). No Telegram in here.

LessonStore(db, clock)          store: lessons (link, refer, wish, ignore), audit trail, undo, uses
Teacher(store, search, db, ...)  .apply(question, result) after the care check and the search
TeachDesk(...)                  the /leren flow for coordinators: .command, .incoming_text, buttons 't1:...'
commands.run_teach              python -m bot teach list | link | refer | wish | ignore | undo | export | import
exchange                        the export file;  likeness: 'worded like it';  actions: the button codec
learned                         the words a link teaches its offers, so other questions about them reach them
"""

from bot.teach.store import Lesson, LessonError, LessonStore
from bot.teach.teacher import Taught, Teacher

__all__ = ["Lesson", "LessonError", "LessonStore", "Taught", "Teacher"]
