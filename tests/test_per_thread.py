"""forum.extensions.per_thread: a statement is built once per server thread, never shared."""

import threading

from forum.extensions import per_thread


def test_each_thread_builds_its_own_once():
    built = []

    @per_thread
    def build(kind):
        built.append((threading.get_ident(), kind))
        return object()

    mine = build("guest")
    assert build("guest") is mine  # once per thread and arguments
    assert build("member") is not mine
    theirs = []
    worker = threading.Thread(target=lambda: theirs.extend([build("guest"), build("guest")]))
    worker.start()
    worker.join()
    assert theirs[0] is theirs[1]
    assert theirs[0] is not mine  # another thread never gets this thread's statement
    assert len(built) == 3
