"""Engine drivers, one package per engine, each registered in the ``dbtui.drivers`` entry-point group."""
