"""The cycle collector pause around big reads and plans leaves gc as it found it."""

import gc

import pytest

from sheetbill.garbage_collection import cycle_collection_paused


@pytest.fixture
def collecting():
    was = gc.isenabled()
    gc.enable()
    yield
    gc.enable() if was else gc.disable()


def test_pause_turns_collection_off_inside_and_back_on_after(collecting):
    with cycle_collection_paused():
        assert not gc.isenabled()
        with cycle_collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner pause does not end the outer one
    assert gc.isenabled()


def test_pause_restores_collection_after_an_error(collecting):
    with pytest.raises(ZeroDivisionError), cycle_collection_paused():
        1 / 0
    assert gc.isenabled()


def test_pause_leaves_a_disabled_collector_disabled(collecting):
    gc.disable()
    with cycle_collection_paused():
        pass
    assert not gc.isenabled()


def test_objects_made_during_the_pause_are_not_walked_by_the_next_collection(
    collecting,
):
    with cycle_collection_paused():
        kept = [[n] for n in range(10_000)]
    assert gc.get_count()[0] < 1_000  # no young generation of 10,000 lists
    assert len(kept) == 10_000


def test_cycles_made_during_a_pause_are_collected_once_frozen_objects_are_released(
    collecting,
):
    import weakref

    from sheetbill.garbage_collection import frozen_objects_released

    class Node:
        pass

    with frozen_objects_released():
        with cycle_collection_paused():
            node = Node()
            node.itself = node
            alive = weakref.ref(node)
            del node
        gc.collect()
        assert alive() is not None  # frozen: the collector does not look at it
    gc.collect()
    assert alive() is None
